-- GET /tasks/{id}, rotating over a pre-created range of ids.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local prefix = os.getenv("BENCH_PATH") or "/tasks/"

setup = common.setup
function init(args)
  common.seed(thread_id or 0)
end

function request()
  return wrk.format("GET", prefix .. common.random_id(), common.headers())
end

done = common.done
