-- PATCH /tasks/{id} (a real write: the title changes every time), ids rotated.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local counter = 0
setup = common.setup
function init(args)
  common.seed(thread_id or 0)
end

function request()
  counter = counter + 1
  local body = string.format('{"title": "patched %d-%d"}', thread_id or 0, counter)
  return wrk.format("PATCH", "/tasks/" .. common.random_id(),
    common.headers({ ["Content-Type"] = "application/merge-patch+json" }), body)
end

done = common.done
