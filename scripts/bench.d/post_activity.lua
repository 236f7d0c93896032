-- POST /api/v1/activities with the body in $BENCH_BODY, as $BENCH_TOKEN; the id of every 201 (from its
-- Location) goes to $BENCH_ACKED.<thread>, flushed at once, so that each acknowledged write can be read back.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local acked

function init(args)
  acked = assert(io.open(os.getenv("BENCH_ACKED") .. "." .. tostring(tid or 0), "w"))
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function request()
  return wrk.format("POST", "/api/v1/activities")
end

function response(status, headers, body)
  count_status(status)
  if status == 201 then
    local location = headers["location"] or headers["Location"] or ""
    local id = string.match(location, "([^/]+)$")
    if id then
      acked:write(id, "\n")
      acked:flush()
    end
  end
end
