// Cross-field rules, written once and enforced twice: as CEL (x-kubernetes-validations) by the apiserver and as a
// zod refinement by the operator, which must also refuse a bad object when an older CRD let it through.
import type { z } from "zod";

export type RuleReason = "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";

export interface Rule<T> {
  /** CEL evaluated by the apiserver; `self` is the value the rule sits on (`oldSelf` the previous one). */
  cel: string;
  /** Names the field and what to do; shown by kubectl and in the operator's condition alike. */
  message: string;
  /** The offending field, relative to where the rule sits; the apiserver and zod both report it there. */
  field?: string[];
  reason?: RuleReason;
  /** The apiserver can only point at fields its schema declares; metadata's are not, so the message names it. */
  celAtRoot?: boolean;
  /**
   * The same rule in TypeScript. Absent only for transition rules (they compare with the previous version of
   * the object, which the operator does not have).
   */
  holds?: (value: T) => boolean;
}

export interface CelValidation {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: RuleReason;
}

export function toCelValidation<T>(rule: Rule<T>): CelValidation {
  const validation: CelValidation = { rule: rule.cel, message: rule.message };
  if (rule.field?.length && !rule.celAtRoot) validation.fieldPath = rule.field.map((segment) => `.${segment}`).join("");
  if (rule.reason) validation.reason = rule.reason;
  return validation;
}

/** Attaches rules to a schema: CEL into its JSON Schema metadata, the TypeScript twins as a refinement. */
export function withRules<S extends z.ZodType>(schema: S, rules: Rule<z.output<S>>[]): S {
  const refined = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      if (rule.holds && !rule.holds(value)) {
        ctx.addIssue({ code: "custom", path: rule.field ?? [], message: rule.message });
      }
    }
  });
  return refined.meta({ "x-kubernetes-validations": rules.map(toCelValidation) });
}

/** A CEL list literal of strings, for rules generated from tables (profiles, tiers). */
export function celStrings(values: readonly string[]): string {
  return `[${values.map((value) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`).join(", ")}]`;
}
