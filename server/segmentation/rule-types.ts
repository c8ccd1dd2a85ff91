/**
 * A segmentation told as rules (segment-rules.ts grows them): the shapes the API, the SQL
 * and a pipeline that assigns by its rules (rule-assign.ts) share.
 */

export interface RuleCondition {
  feature: string;
  op: '<' | '>=' | '=' | '!=';
  value: number | string;
}

export interface SegmentRule {
  text: string;
  conditions: RuleCondition[];
}

export interface SegmentRules {
  index: number;
  name: string;
  /** The segment's share of the segmentation's customers. */
  share: number;
  /** Of the segment's customers, the share the rules place in it. */
  fidelity: number;
  rules: SegmentRule[];
}

/** How a saved segmentation assigns customers: by its centres (as fitted) or by its rules. */
export type AssignedBy = 'centres' | 'rules';

export interface ModelRules {
  /** Of the segmentation's customers, the share the rules place in their own segment. */
  fidelity: number;
  leaves: number;
  customers: number;
  segments: SegmentRules[];
  /** Every rule with its segment, in the order the SQL tries them. */
  ordered: { segment: number; rule: SegmentRule }[];
  /** Whether these rules assign the segmentation's customers (fixed when adopted) or only describe it. */
  assignedBy: AssignedBy;
}

/**
 * Rules adopted as a segmentation's assignment, kept in its pipeline so they stay the same
 * while data arrives: the first rule a customer meets places them. The fidelity figures are
 * those measured when the rules were adopted.
 */
export interface AssigningRules {
  ordered: { segment: number; conditions: RuleCondition[] }[];
  fidelity: number;
  customers: number;
  /** Per segment of the centres' assignment: its share of customers and the share the rules kept in it. */
  segments: { share: number; fidelity: number }[];
}
