import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadPolicy, parsePolicy, responseKey, riskConfigOf, selectRule } from './policy.js'
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
