export interface CorpusFinding {
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
}
export interface CorpusLabel {
  readonly file: string;
  readonly line: number;
  readonly endLine?: number;
  readonly rule: string;
}
export interface Counts {
  readonly tp: number;
  readonly fp: number;
  readonly found: number;
  readonly missed: number;
  readonly precision: number | null;
  readonly recall: number | null;
}
export interface RepositoryScore<F extends CorpusFinding, L extends CorpusLabel> {
  readonly truePositives: F[];
  readonly falsePositives: F[];
  readonly found: L[];
  readonly missed: L[];
}
export declare const LINE_WINDOW: number;
export declare function findingMatches(finding: CorpusFinding, label: CorpusLabel): boolean;
export declare function scoreRepository<F extends CorpusFinding, L extends CorpusLabel>(
  findings: readonly F[],
  labels: readonly L[],
): RepositoryScore<F, L>;
export declare function tally(scores: readonly RepositoryScore<CorpusFinding, CorpusLabel>[]): {
  rules: Record<string, Counts>;
  total: Counts;
};
