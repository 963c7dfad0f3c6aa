import type {
  CacheService,
  SchedulerService,
} from '@backstage/backend-plugin-api';

type ScheduledTask = Parameters<SchedulerService['scheduleTask']>[0];

/**
 * A cache service shared by the replicas of an in-process test, standing in for Redis: values are
 * stored as JSON text, as a Keyv store keeps them, so nothing shared by reference can pass unnoticed.
 */
export function sharedCache(): CacheService & { keys(): string[] } {
  const data = new Map<string, string>();
  const cache: CacheService & { keys(): string[] } = {
    async get(key: string) {
      const v = data.get(key);
      return v === undefined ? undefined : JSON.parse(v);
    },
    async set(key: string, value: unknown) {
      data.set(key, JSON.stringify(value));
    },
    async delete(key: string) {
      data.delete(key);
    },
    withOptions() {
      return cache;
    },
    keys: () => [...data.keys()],
  } as CacheService & { keys(): string[] };
  return cache;
}

/** A scheduler that only records tasks; the test runs them (as the one replica holding the lock would). */
export function recordingScheduler(): SchedulerService & {
  tasks: ScheduledTask[];
} {
  const tasks: ScheduledTask[] = [];
  return {
    tasks,
    async scheduleTask(task: ScheduledTask) {
      tasks.push(task);
    },
  } as unknown as SchedulerService & {
    tasks: ScheduledTask[];
  };
}
