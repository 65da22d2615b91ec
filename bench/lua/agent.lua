-- POST /agent: one full round (triage -> handoff -> tool -> reply), a new session each time.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local message = os.getenv("BENCH_MESSAGE") or "add a task to buy milk"

local req
function init(args)
  req = wrk.format("POST", "/agent", common.headers({ ["Content-Type"] = "application/json" }),
    string.format('{"message": "%s"}', message))
end

function request()
  return req
end

done = common.done
