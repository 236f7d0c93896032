-- Shared by the wrk scripts of scripts/bench: one thread id per thread (for distinct random seeds and
-- output files), a count of 5xx answers, and a JSON summary written to $BENCH_OUT when the run ends.
local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

fivexx = 0

function count_status(status)
  if status >= 500 then fivexx = fivexx + 1 end
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  local f5 = 0
  for _, t in ipairs(threads) do f5 = f5 + (t:get("fivexx") or 0) end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.2f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"errors":%d,"non_2xx":%d,"status_5xx":%d,"timeouts":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, e.status, f5, e.timeout))
  out:close()
end
