#!/usr/bin/env node
// `npm start`: brings up what exists of a creditchain consortium, in the foreground, until Ctrl-C.
// Today that is the `credit` contract served as chaincode-as-a-service, exactly as a Fabric 2.5 peer
// (or the creditchain emulator, once it lands) dials it. It says plainly what does not exist yet.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chaincodeDir = join(root, 'chaincode');
const address = process.env.CREDIT_CHAINCODE_ADDRESS ?? '127.0.0.1:9999';
const chaincodeId = process.env.CREDIT_CHAINCODE_ID ?? 'credit:0.1.0';
const mspId = process.env.CORE_PEER_LOCALMSPID ?? 'YangtzeMSP';

function fail(message, hint) {
  console.error(`creditchain: ${message}`);
  if (hint) console.error(`  what to do: ${hint}`);
  process.exit(1);
}

if (!existsSync(join(root, 'node_modules', 'fabric-shim')))
  fail('dependencies are not installed', 'run `npm ci` first');

console.log('[1/2] building the credit chaincode (tsc)…');
const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(chaincodeDir, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
if (build.status !== 0) fail('the chaincode does not compile', 'fix the TypeScript errors above');

const [host, portText] = address.split(':');
const port = Number(portText);
const probe = () =>
  new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
if (await probe())
  fail(
    `port ${address} is already in use`,
    'stop the other process or set CREDIT_CHAINCODE_ADDRESS=host:port',
  );

console.log(`[2/2] starting the credit chaincode as a service on ${address}…`);
const server = spawn(
  process.execPath,
  [
    join(root, 'node_modules', 'fabric-shim', 'cli.js'),
    'server',
    '--chaincode-address',
    address,
    '--chaincode-id',
    chaincodeId,
  ],
  {
    cwd: chaincodeDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING', ...process.env, CORE_PEER_LOCALMSPID: mspId },
  },
);
server.once('exit', (code, signal) => {
  if (!stopping) fail(`the chaincode server exited (${signal ?? code})`, 'see its log above');
});

let stopping = false;
for (let i = 0; i < 150 && !(await probe()); i++) await new Promise((r) => setTimeout(r, 200));
if (!(await probe())) {
  server.kill('SIGKILL');
  fail(`the chaincode server did not listen on ${address} within 30 s`);
}

const rows = [
  ['component', 'state', 'where'],
  ['credit chaincode (CCaaS)', 'running', `${address}  id ${chaincodeId}  msp ${mspId}`],
  [
    'Fabric-compatible emulator (peers, orderer)',
    'not yet available',
    'network/ (issue: embedded consortium network)',
  ],
  ['member gateways', 'not yet available', 'gateway/ (issue: member gateway)'],
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log('');
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join('  '));
console.log(
  '\nA Fabric 2.5 peer with the CCaaS external builder can use this chaincode now (see chaincode/README.md).',
);
console.log('Ctrl-C stops everything.');

const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
  server.once('exit', () => {
    clearTimeout(timer);
    console.log('stopped.');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
