-- POST /tasks with a unique Idempotency-Key per request (the retry-safe way to create).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local counter = 0
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
setup = common.setup
function init(args)
  common.seed(thread_id or 0)
end

function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", run_id, thread_id or 0, counter)
  local body = string.format('{"title": "idempotent task %s"}', key)
  return wrk.format("POST", "/tasks", common.headers({
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }), body)
end

done = common.done
