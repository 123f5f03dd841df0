import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * A Kysely plugin that times every statement: Kysely hands the same `queryId` to
 * `transformQuery` (before the statement is sent) and `transformResult` (after its rows came
 * back). A failed statement never reaches `transformResult`; its start time is dropped with the
 * `queryId` (a WeakMap key), so only successful statements are observed.
 */
export function queryTimer(observe: (seconds: number) => void, now: () => bigint = process.hrtime.bigint): KyselyPlugin {
  const started = new WeakMap<object, bigint>();
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      started.set(args.queryId, now());
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const start = started.get(args.queryId);
      if (start !== undefined) {
        started.delete(args.queryId);
        observe(Number(now() - start) / 1e9);
      }
      return args.result;
    },
  };
}
