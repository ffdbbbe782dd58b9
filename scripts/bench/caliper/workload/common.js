'use strict';
// Shared by the creditchain workload modules (CommonJS, loaded by Caliper 0.6 workers).

const { createHash } = require('node:crypto');
const { createRequire } = require('node:module');

/**
 * @hyperledger/caliper-core, which is installed with Caliper outside the repository: a plain require
 * finds it through NODE_PATH; otherwise it is resolved from the Caliper process's own entry point.
 */
function caliperCore() {
  try {
    return require('@hyperledger/caliper-core');
  } catch (err) {
    if (require.main?.filename) return createRequire(require.main.filename)('@hyperledger/caliper-core');
    throw err;
  }
}

/** 64 lower-case hex characters (a SHA-256), the format of subjectRef, hashes, commitments and ids. */
function hex64(text) {
  return createHash('sha256').update(text).digest('hex');
}

/** The officers of the member institutions (role member + institution attribute) in the default consortium. */
const MEMBER_OFFICERS = [
  { mspId: 'YangtzeMSP', identity: 'User1' },
  { mspId: 'PearlMSP', identity: 'User1' },
  { mspId: 'JingJinJiMSP', identity: 'User1' },
];

/** Every participant, the regulator included (reads are open to all participants). */
const PARTICIPANTS = [...MEMBER_OFFICERS, { mspId: 'RegulatorMSP', identity: 'Regulator1' }];

/** Category codes of chaincode/examples/consortium.json, each with schema version 1.0. */
const CATEGORIES = ['basic', 'business', 'credit_enhancement', 'warning', 'asset'];

/** A run-unique prefix: one per worker and round, so no two transactions ever reuse an id. */
function runPrefix(tag, workerIndex, roundIndex) {
  return `cal-${tag}-${Date.now().toString(36)}-r${roundIndex}-w${workerIndex}`;
}

/** The arguments of SubmitReport: one JSON object with exactly the anchor's nine string fields. */
function reportArgument(reportId, category) {
  return JSON.stringify({
    reportId,
    subjectRef: hex64(`subject:${reportId}`),
    category,
    schemaVersion: '1.0',
    ciphertextHash: hex64(`ciphertext:${reportId}`),
    commitment: hex64(`commitment:${reportId}`),
    sizeBucket: 'S',
    eventEndDate: '',
    supersedes: '',
  });
}

/** Submits one report synchronously (set-up of the read and receipt rounds); throws if it did not commit. */
async function submitReportNow(sutAdapter, contractId, invoker, reportId, category) {
  const status = await sutAdapter.sendRequests({
    contractId,
    contractFunction: 'SubmitReport',
    invokerMspId: invoker.mspId,
    invokerIdentity: invoker.identity,
    contractArguments: [reportArgument(reportId, category)],
    readOnly: false,
  });
  if (!status.IsCommitted()) {
    throw new Error(`set-up SubmitReport of ${reportId} by ${invoker.identity}@${invoker.mspId} failed`);
  }
}

module.exports = {
  caliperCore,
  hex64,
  MEMBER_OFFICERS,
  PARTICIPANTS,
  CATEGORIES,
  runPrefix,
  reportArgument,
  submitReportNow,
};
