import { describe, expect, it } from 'vitest';
import { testNetworkProfile } from '../../profile.js';
import { readme } from './readme.js';
import { buildTopology } from './topology.js';

const facts = { packageIds: new Map<string, string>(), gatewayFiles: [], keyInvocations: [], warnings: [] };

function steps(text: string): string[] {
  return [...text.matchAll(/^## (\d+)\. (.*)$/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
}

describe('readme', () => {
  it('numbers the steps in order, with the chaincode steps only when there are chaincodes', () => {
    const bare = readme(buildTopology({ profile: testNetworkProfile(), chaincodes: [] }), facts);
    expect(steps(bare)).toEqual([
      '1 Start the orderer and the peers',
      '2 Create the channel on the orderer',
      '3 Join every peer to the channel',
      '4 Point the creditchain gateways at it',
    ]);
    const policy = "AND('Org1MSP.peer', 'Org2MSP.peer')";
    const withCc = readme(
      buildTopology({
        profile: testNetworkProfile(),
        chaincodes: [{ name: 'credit', path: '/cc', version: '1.0', policy }],
      }),
      { ...facts, packageIds: new Map([['credit', 'credit_1.0:ff']]) },
    );
    expect(steps(withCc).map((s) => s.split(' ')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(withCc).toContain(`--signature-policy "${policy}"`);
    expect(withCc).toContain(
      'jq -c \'{function: "InitConsortium", Args: [tojson]}\' consortium/consortium.json',
    );
  });
});
