/** The packet tracer: pure and synchronous, for golden tests and `kproxy trace`. */
export { formatPercent, formatTrace } from './format.js';
export { parseRule } from './rule-parse.js';
export type { Match, ParsedRule, Target } from './rule-types.js';
export {
  traceTablesFromRuleSet,
  traceTablesFromSaved,
  type SavedTablesInput,
  type TraceChain,
  type TraceRule,
  type TraceTable,
  type TraceTableName,
  type TraceTables,
} from './tables.js';
export { tracePacket } from './trace.js';
export {
  TraceInputError,
  type AffinityState,
  type Outcome,
  type TraceHost,
  type TracePacket,
  type TraceProtocol,
  type TraceResult,
  type TraceStep,
  type Verdict,
} from './types.js';
