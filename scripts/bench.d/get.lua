-- GET $BENCH_PATH (a format with one %s) with a random line of the file $BENCH_IDS, as $BENCH_TOKEN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = {}
local path

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  for line in io.lines(os.getenv("BENCH_IDS")) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  path = os.getenv("BENCH_PATH")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  wrk.headers["Accept"] = "application/json"
end

function request()
  return wrk.format("GET", string.format(path, ids[math.random(#ids)]))
end
