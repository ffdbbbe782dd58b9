'use strict';
// GetReport (evaluate) of committed reports, by every participant (the three member officers and the
// regulator) through its own organisation's peer.
//
// Set-up: each worker first submits `reports` reports of its own (default 8), then reads them at random.
//
// Round arguments (all optional):
//   contractId  chaincode id in the network configuration (default credit)
//   reports     reports each worker submits before the round (default 8)

const {
  caliperCore,
  MEMBER_OFFICERS,
  PARTICIPANTS,
  CATEGORIES,
  runPrefix,
  submitReportNow,
} = require('./common');

const { WorkloadModuleBase } = caliperCore();

class GetReportWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(
    workerIndex,
    totalWorkers,
    roundIndex,
    roundArguments,
    sutAdapter,
    sutContext,
  ) {
    await super.initializeWorkloadModule(
      workerIndex,
      totalWorkers,
      roundIndex,
      roundArguments,
      sutAdapter,
      sutContext,
    );
    const args = roundArguments ?? {};
    this.contractId = args.contractId ?? 'credit';
    const count = Number(args.reports ?? 8);
    const prefix = runPrefix('get', workerIndex, roundIndex);
    this.reportIds = [];
    for (let i = 0; i < count; i++) {
      const reportId = `${prefix}-${i}`;
      const provider = MEMBER_OFFICERS[i % MEMBER_OFFICERS.length];
      await submitReportNow(
        sutAdapter,
        this.contractId,
        provider,
        reportId,
        CATEGORIES[i % CATEGORIES.length],
      );
      this.reportIds.push(reportId);
    }
    this.seq = 0;
  }

  async submitTransaction() {
    const seq = this.seq++;
    const reader = PARTICIPANTS[(seq + this.workerIndex) % PARTICIPANTS.length];
    const reportId = this.reportIds[Math.floor(Math.random() * this.reportIds.length)];
    return this.sutAdapter.sendRequests({
      contractId: this.contractId,
      contractFunction: 'GetReport',
      invokerMspId: reader.mspId,
      invokerIdentity: reader.identity,
      contractArguments: [reportId],
      readOnly: true,
    });
  }
}

function createWorkloadModule() {
  return new GetReportWorkload();
}

module.exports.createWorkloadModule = createWorkloadModule;
