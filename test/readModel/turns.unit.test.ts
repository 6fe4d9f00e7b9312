// Turns of one organization's commands in a process (ResidentModels.turn):
// in arrival order, one at a time, other organizations unaffected; a turn
// ended early (a command whose COMMIT is in flight) lets the next one begin.
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

  it('let the next one begin once a turn ends early, while its work goes on', async () => {
    const models = new ResidentModels();
    const log: string[] = [];
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { open, opened };
    };
    const committed = gate();
    const secondMayEnd = gate();
    const first = models.turn(ACME, async (endTurn) => {
      log.push('first ends its turn');
      endTurn();
      endTurn();
      await committed.opened;
      log.push('first done');
    });
    const second = models.turn(ACME, async () => {
      log.push('second begins');
      await secondMayEnd.opened;
      log.push('second ends');
    });
    const third = models.turn(ACME, async () => {
      log.push('third begins');
    });
    await tick();
    // The second began while the first still works; ending twice did not let the third in.
    expect(log).toEqual(['first ends its turn', 'second begins']);
    committed.open();
    await first;
    await tick();
    expect(log).toEqual(['first ends its turn', 'second begins', 'first done']);
    secondMayEnd.open();
    await Promise.all([second, third]);
    expect(log.slice(3)).toEqual(['second ends', 'third begins']);
  });
});
