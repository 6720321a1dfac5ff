import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { encodeFunctionData, keccak256, parseAbi, toHex } from 'viem'
import { loadPolicy, parsePolicy, rankOf, responseKey, riskConfigOf, selectRule, strengthOf } from './policy.js'
import { MonitorPolicyInvalidError } from './responders/errors.js'

const pool = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const asset = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'

const policy = parsePolicy({
  rules: [
    { name: 'upgrade', minScore: 50, detectors: ['unapproved-upgrade'], respond: [{ kind: 'pause', seal: pool, targets: [pool], duration: 3600 }] },
    { name: 'critical', minScore: 85, respond: [{ kind: 'pause', via: 'pauser', targets: [pool], duration: 600 }] },
    { name: 'high', minScore: 60, respond: [{ kind: 'partial-lockdown', contract: pool, selectors: ['withdraw(uint256)', '0xA9059CBB'], assets: [asset] }] },
    { name: 'any', minScore: 20, respond: [{ kind: 'notify' }] },
  ],
})

describe('policy', () => {
  test('the first rule whose threshold (and detector list) matches decides', () => {
    expect(selectRule(policy, { score: 55, detectors: ['unapproved-upgrade'] })?.name).toBe('upgrade')
    expect(selectRule(policy, { score: 90, detectors: ['reentrancy'] })?.name).toBe('critical')
    expect(selectRule(policy, { score: 70, detectors: ['reentrancy'] })?.name).toBe('high')
    expect(selectRule(policy, { score: 20, detectors: ['tvl-drop'] })?.name).toBe('any')
    expect(selectRule(policy, { score: 19, detectors: ['tvl-drop'] })).toBeUndefined()
  })

  test('selectors are normalized from signatures and hex, and response keys are stable', () => {
    const lockdown = policy.rules[2]!.respond[0]!
    expect(lockdown).toMatchObject({ selectors: ['0x2e1a7d4d', '0xa9059cbb'] })
    expect(responseKey(lockdown)).toBe(`partial-lockdown:${pool.toLowerCase()}:0x2e1a7d4d,0xa9059cbb:${asset.toLowerCase()}`)
    expect(policy.rules[1]!.respond[0]).toMatchObject({ via: 'pauser' })
    expect(policy.rules[0]!.respond[0]).toMatchObject({ via: 'seal' })
  })

  test('defaults and severity overrides feed the risk roll-up', () => {
    expect(riskConfigOf(parsePolicy({ severityScores: { high: 65 }, rules: [{ minScore: 0, respond: [{ kind: 'notify' }] }] }))).toEqual({
      windowSeconds: 600,
      incidentMaxSeconds: 3600,
      corroborationBonus: 10,
      severityScores: { info: 0, low: 20, medium: 45, high: 65, critical: 90 },
    })
  })

  test.each([
    [{ rules: [] }, 'rules'],
    [{ rules: [{ minScore: 101, respond: [{ kind: 'notify' }] }] }, 'rules[0].minScore'],
    [{ rules: [{ minScore: 1, respond: [{ kind: 'pause', targets: ['0x12'], duration: 60 }] }] }, 'rules[0].respond[0].targets[0]'],
    [{ rules: [{ minScore: 1, respond: [{ kind: 'partial-lockdown', contract: pool }] }] }, 'rules[0].respond[0]'],
    [{ rules: [{ minScore: 1, respond: [{ kind: 'partial-lockdown', contract: pool, selectors: ['withdraw'] }] }] }, 'rules[0].respond[0].selectors[0]'],
    [{ rules: [{ minScore: 1, respond: [{ kind: 'self-destruct' }] }] }, 'rules[0].respond[0].kind'],
    [{ rules: [{ minScore: 1, respond: [{ kind: 'notify' }] }], extra: true }, '(policy)'],
  ])('a bad policy is BW_MONITOR_POLICY_INVALID naming the field (%#)', (input, field) => {
    const error = (() => {
      try {
        parsePolicy(input)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(MonitorPolicyInvalidError)
    expect((error as MonitorPolicyInvalidError).code).toBe('BW_MONITOR_POLICY_INVALID')
    expect((error as MonitorPolicyInvalidError).shortMessage).toContain(`: ${field} `)
  })

  test("a rule's detector list is matched against the finding at hand: a benign detector earlier in the incident does not pick a weaker rule for the attack's finding", () => {
    const escalating = parsePolicy({
      rules: [
        { name: 'outflow', minScore: 20, detectors: ['large-outflow'], respond: [{ kind: 'notify' }] },
        { name: 'attack', minScore: 80, respond: [{ kind: 'contract-call', calls: [{ target: pool, function: 'pause()' }] }] },
      ],
    })
    const incident = { score: 90, detectors: ['large-outflow', 'reentrancy'] }
    expect(selectRule(escalating, incident, { detector: 'reentrancy' })?.name).toBe('attack')
    expect(selectRule(escalating, incident, { detector: 'large-outflow' })?.name).toBe('outflow')
    expect(rankOf('notify')).toBeLessThan(rankOf('partial-lockdown'))
    expect(rankOf('partial-lockdown')).toBeLessThan(rankOf('circuit-breaker'))
    expect(rankOf('circuit-breaker')).toBeLessThan(rankOf(strengthOf(escalating.rules[1]!.respond[0]!)))
  })

  test('contract calls: signatures or JSON fragments, JSON arguments encoded by type (big numbers as strings, role ids by name), guards and Safes', () => {
    const parsed = parsePolicy({
      rules: [
        {
          minScore: 50,
          respond: [
            { kind: 'contract-call', name: 'aave', calls: [{ target: pool, function: 'setPoolPause(bool)', args: [true] }] },
            { kind: 'contract-call', via: 'safe', safe: asset, calls: [{ target: pool, function: { type: 'function', name: 'setPaused', inputs: [{ name: 'paused', type: 'bool' }] }, args: [true], skipIf: { call: 'function getPausedState() view returns (bool, uint256, uint256)', equals: true } }] },
            { kind: 'contract-call', strength: 'partial-lockdown', calls: [{ target: pool, function: '_setMintPaused(address,bool)', args: [asset, true] }, { target: pool, function: 'revokeRole(bytes32,address)', args: [{ keccak256: 'MINTER_ROLE' }, asset] }] },
            { kind: 'contract-call', calls: [{ target: pool, function: 'setCap(uint256)', args: ['123456789012345678901234567890'], value: '1000000000000000000' }] },
          ],
        },
      ],
    })
    const [aave, balancer, compound, big] = parsed.rules[0]!.respond as Extract<(typeof parsed.rules)[0]['respond'][number], { kind: 'contract-call' }>[]
    expect(aave!.calls[0]).toMatchObject({ signature: 'setPoolPause(bool)', data: encodeFunctionData({ abi: parseAbi(['function setPoolPause(bool)']), args: [true] }), value: 0n })
    expect(aave).toMatchObject({ via: 'responder', strength: 'pause' })
    expect(balancer!.calls[0]!.skipIf).toMatchObject({ signature: 'getPausedState()', returns: { type: 'bool' }, equals: true })
    expect(compound!.calls[1]!.data).toBe(encodeFunctionData({ abi: parseAbi(['function revokeRole(bytes32,address)']), args: [keccak256(toHex('MINTER_ROLE')), asset] }))
    expect(strengthOf(compound!)).toBe('partial-lockdown')
    expect(big!.calls[0]).toMatchObject({ value: 10n ** 18n, data: encodeFunctionData({ abi: parseAbi(['function setCap(uint256)']), args: [123456789012345678901234567890n] }) })
    expect(responseKey(aave!)).toBe(`contract-call:responder::${pool.toLowerCase()}.${aave!.calls[0]!.data}`)
  })

  test.each([
    [{ target: pool, function: 'setCap(uint256)', args: [2 ** 60] }, 'calls[0].args[0]', 'is not an exact integer; write numbers above 2^53 as decimal strings'],
    [{ target: pool, function: 'setPoolPause(bool)', args: [] }, 'calls[0].args', 'has 0 argument(s); setPoolPause(bool) takes 1'],
    [{ target: pool, function: 'setPoolPause(bool)', args: ['yes'] }, 'calls[0].args[0]', 'must be true or false (bool)'],
    [{ target: pool, function: 'grant(address)', args: ['0x12'] }, 'calls[0].args[0]', 'must be a 20-byte hex address'],
    [{ target: pool, function: 'pause(' }, 'calls[0].function', 'is not a function signature'],
    [{ target: pool, function: 'pause()', skipIf: { call: 'paused(', equals: true } }, 'calls[0].skipIf.call', 'is not a function signature'],
  ])('a bad contract call is BW_MONITOR_POLICY_INVALID at its path (%#)', (call, field, message) => {
    expect(() => parsePolicy({ rules: [{ minScore: 1, respond: [{ kind: 'contract-call', calls: [call] }] }] })).toThrow(`: rules[0].respond[0].${field} ${message}`)
  })

  test('a Safe route names its Safe', () => {
    expect(() => parsePolicy({ rules: [{ minScore: 1, respond: [{ kind: 'contract-call', via: 'safe', calls: [{ target: pool, function: 'pause()' }] }] }] })).toThrow('rules[0].respond[0] names `safe` exactly when `via` is "safe"')
  })

  test('a policy file that is missing or not JSON is BW_MONITOR_POLICY_INVALID', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-policy-'))
    try {
      await writeFile(path.join(dir, 'bad.json'), '{ rules: ')
      await expect(loadPolicy(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'BW_MONITOR_POLICY_INVALID', shortMessage: expect.stringContaining('is not valid JSON') })
      await expect(loadPolicy(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'BW_MONITOR_POLICY_INVALID', shortMessage: expect.stringContaining('cannot be read (ENOENT)') })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
