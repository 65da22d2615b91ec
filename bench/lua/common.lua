-- Shared by every script: the auth header, id rotation, and a JSON summary in done().
-- Settings come from the environment (wrk passes no arguments to threads):
--   BENCH_KEY      the API key (sent as a bearer token; absent for the baseline)
--   BENCH_ID_MIN / BENCH_ID_MAX   the ids to rotate over for /tasks/{id}
--   BENCH_PATH     the path (with query) for fixed-URL scripts

local common = {}

common.key = os.getenv("BENCH_KEY") or ""
common.id_min = tonumber(os.getenv("BENCH_ID_MIN") or "1")
common.id_max = tonumber(os.getenv("BENCH_ID_MAX") or "1")
common.path = os.getenv("BENCH_PATH") or "/"

function common.headers(extra)
  local headers = {}
  if common.key ~= "" then
    headers["Authorization"] = "Bearer " .. common.key
  end
  for name, value in pairs(extra or {}) do
    headers[name] = value
  end
  return headers
end

function common.random_id()
  return math.random(common.id_min, common.id_max)
end

function common.seed(thread_id)
  math.randomseed(os.time() + 7919 * thread_id)
end

local thread_counter = 0
function common.setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
end

function common.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "seconds": %.4f, "rps": %.2f, "p50_ms": %.3f, ' ..
    '"p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, "non2xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end

return common
