import { describe, expect, it } from 'vitest';
import { failureCause } from './causes.js';

describe('failureCause', () => {
  it('names invalid commits by their validation code', () => {
    expect(failureCause({ stage: 'commit', text: '', validationCode: 'MVCC_READ_CONFLICT' })).toBe(
      'MVCC_READ_CONFLICT',
    );
    expect(failureCause({ stage: 'commit', text: '' })).toBe('INVALID_TRANSACTION');
  });

  it('names expired deadlines TIMEOUT at any stage', () => {
    expect(failureCause({ stage: 'endorse', grpcCode: 4, text: '4 DEADLINE_EXCEEDED: x' })).toBe('TIMEOUT');
    expect(failureCause({ stage: 'commitStatus', text: 'Deadline exceeded after 30s' })).toBe('TIMEOUT');
  });

  it("names refused endorsements by the chaincode's error code, not gRPC's status", () => {
    const text =
      '10 ABORTED: failed to endorse transaction, see attached details for more info; chaincode response 500, REPORT_EXISTS: report r1 already exists';
    expect(failureCause({ stage: 'endorse', grpcCode: 10, text })).toBe('CHAINCODE:REPORT_EXISTS');
    expect(failureCause({ stage: 'evaluate', grpcCode: 3, text: '3 INVALID_ARGUMENT: no detail' })).toBe(
      'EVALUATE_ERROR',
    );
    expect(
      failureCause({
        stage: 'endorse',
        grpcCode: 10,
        text: '10 ABORTED: ProposalResponsePayloads do not match',
      }),
    ).toBe('ENDORSEMENT_MISMATCH');
  });

  it('falls back to the stage', () => {
    expect(failureCause({ stage: 'endorse', grpcCode: 2, text: '2 UNKNOWN: boom' })).toBe('ENDORSE_ERROR');
    expect(failureCause({ stage: 'submit', grpcCode: 2, text: '2 UNKNOWN: boom' })).toBe('SUBMIT_ERROR');
    expect(failureCause({ stage: 'commitStatus', grpcCode: 2, text: '' })).toBe('COMMIT_STATUS_ERROR');
    expect(failureCause({ stage: 'submit', grpcCode: 14, text: '' })).toBe('UNAVAILABLE');
  });
});
