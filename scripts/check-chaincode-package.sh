#!/usr/bin/env bash
# Proves chaincode/ is a self-contained deployable package: copies it without node_modules, installs
# it from its own lockfile, builds it with tsc, checks the dependency pins, and starts it as
# chaincode-as-a-service (`fabric-chaincode-node server`) until it listens.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

cp -r "$root/chaincode/package.json" "$root/chaincode/package-lock.json" "$root/chaincode/tsconfig.json" \
  "$root/chaincode/tsconfig.build.json" "$root/chaincode/src" "$work/"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
test -f dist/index.js

node -e '
  const lock = require("./package-lock.json").packages;
  const copies = (name) => Object.keys(lock).filter((p) => p.endsWith("node_modules/" + name));
  const protos = copies("@hyperledger/fabric-protos");
  if (protos.length !== 1) throw new Error("expected one @hyperledger/fabric-protos, found " + protos.join(", "));
  const ct = lock["node_modules/class-transformer"];
  if (!ct || ct.version !== "0.4.0") throw new Error("class-transformer must be pinned to 0.4.0");
  const { contracts } = require("./dist/index.js");
  if (!Array.isArray(contracts) || contracts.length === 0) throw new Error("dist/index.js exports no contracts");
  console.log("package ok: one fabric-protos, class-transformer 0.4.0, contracts:", contracts.map((c) => c.name).join(", "));
'

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
CORE_PEER_LOCALMSPID=YangtzeMSP CORE_CHAINCODE_LOGGING_LEVEL=WARNING \
  node node_modules/fabric-shim/cli.js server --chaincode-address "127.0.0.1:$port" --chaincode-id credit:ci &
server_pid=$!
for _ in $(seq 1 100); do
  if node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$port"; then
    echo "fabric-chaincode-node server listens on 127.0.0.1:$port"
    exit 0
  fi
  kill -0 "$server_pid" 2>/dev/null || { echo "chaincode server exited"; exit 1; }
  sleep 0.2
done
echo "chaincode server did not listen within 20 s"
exit 1
