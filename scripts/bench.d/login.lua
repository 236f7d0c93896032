-- POST /api/v1/auth/login with the body in $BENCH_BODY, continuously (load beside scenario 1).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format("POST", "/api/v1/auth/login", nil, os.getenv("BENCH_BODY"))
end
