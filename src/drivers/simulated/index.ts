// The `simulated` driver: the embedded default cloud (see driver.ts).
import type { DriverFactory } from '../registry';
import { SimulatedDriver, type RandomSource } from './driver';
import { parseSimulatedOptions } from './options';
import { SimulatedStore } from './store';

export { SimulatedDriver, REJECTED_ACCESS_KEY, type RandomSource } from './driver';
export { SimulatedStore } from './store';

/** A factory whose drivers draw failures and crashes from `random` (tests pass a seeded source). */
export function createSimulatedDriverFactory(random: RandomSource = Math.random): DriverFactory {
  return {
    validateOptions: (options) => {
      const parsed = parseSimulatedOptions(options);
      return parsed.ok ? [] : parsed.problems;
    },
    create: (site, deps) => {
      const parsed = parseSimulatedOptions(site.options);
      // The registry validated every site before creating any driver, so this is a programming error.
      if (!parsed.ok) throw new Error(`site ${site.id}: invalid simulated options: ${parsed.problems.join('; ')}`);
      const simulatedSite = { id: site.id, instanceTypes: site.instanceTypes, options: parsed.options };
      return new SimulatedDriver(simulatedSite, new SimulatedStore(deps.db), deps.clock, random);
    },
  };
}

export const simulatedDriverFactory: DriverFactory = createSimulatedDriverFactory();
