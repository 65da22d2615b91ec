-- GET one fixed URL (BENCH_PATH), e.g. a filtered list or a deep cursor page.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req
function init(args)
  req = wrk.format("GET", common.path, common.headers())
end

function request()
  return req
end

done = common.done
