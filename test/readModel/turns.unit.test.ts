// Turns of one organization's commands in a process (ResidentModels.turn):
// in arrival order, one at a time, other organizations unaffected; and what a
// turn hands to the next one (a command's connection) reaches it, or is
// disposed of when no turn takes it.
import { describe, expect, it } from 'vitest';
import { ResidentModels } from '../../src/readModel/resident.ts';

const ACME = '01a21400-0000-7000-8000-0000000000a1';
const GLOBEX = '01a21400-0000-7000-8000-0000000000b2';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('turns', () => {
  it('run one at a time per organization, in arrival order, while another organization goes on', async () => {
    const models = new ResidentModels();
    const log: string[] = [];
    const work = (organizationId: string, name: string) =>
      models.turn(organizationId, async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([work(ACME, 'a1'), work(ACME, 'a2'), work(GLOBEX, 'g1'), work(ACME, 'a3')]);
    expect(results).toEqual(['a1', 'a2', 'g1', 'a3']);
    const acme = log.filter((line) => line.startsWith('a'));
    expect(acme).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end', 'a3 start', 'a3 end']);
    // Globex did not wait for Acme's turns.
    expect(log.indexOf('g1 start')).toBeLessThan(log.indexOf('a1 end'));
  });

  it('go on after a turn that failed', async () => {
    const models = new ResidentModels();
    const failed = models.turn(ACME, async () => {
      throw new Error('rejected');
    });
    const next = models.turn(ACME, async () => 'next');
    await expect(failed).rejects.toThrow('rejected');
    await expect(next).resolves.toBe('next');
  });

  it('hand a value to the next turn only when one is waiting, and dispose of it when none takes it', async () => {
    const models = new ResidentModels();
    const disposed: string[] = [];
    // Alone: nothing to hand to.
    await models.turn(ACME, async () => {
      expect(models.handOver(ACME, 'alone', () => disposed.push('alone'))).toBe(false);
    });
    expect(models.takeHandedOver(ACME)).toBeUndefined();

    // With a turn waiting: it receives the value.
    let received: unknown;
    await Promise.all([
      models.turn(ACME, async () => {
        expect(models.handOver(ACME, 'connection', () => disposed.push('connection'))).toBe(true);
      }),
      models.turn(ACME, async () => {
        received = models.takeHandedOver(ACME);
      }),
    ]);
    expect(received).toBe('connection');

    // A waiting turn that does not take it: disposed of when the last turn ends.
    await Promise.all([
      models.turn(ACME, async () => {
        models.handOver(ACME, 'unclaimed', () => disposed.push('unclaimed'));
      }),
      models.turn(ACME, async () => {}),
    ]);
    expect(disposed).toEqual(['unclaimed']);
    expect(models.takeHandedOver(ACME)).toBeUndefined();
  });
});
