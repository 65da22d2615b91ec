-- POST /tasks with a small, valid body; each title is unique.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local counter = 0
setup = common.setup
function init(args)
  common.seed(thread_id or 0)
end

local priorities = { "low", "medium", "high", "urgent" }

function request()
  counter = counter + 1
  local body = string.format(
    '{"title": "bench task %d-%d", "priority": "%s", "tags": ["bench", "load"]}',
    thread_id or 0, counter, priorities[counter % 4 + 1])
  return wrk.format("POST", "/tasks", common.headers({ ["Content-Type"] = "application/json" }),
    body)
end

done = common.done
