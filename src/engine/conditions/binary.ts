// BinaryEquals: the request value compared byte for byte with the base-64 value in the policy.
import { fixedValues, type ConditionFamily } from "./family.ts";

/** Base-64 text without whitespace or padding, so equal bytes compare equal as text. */
function canonical(b64: string): string {
  return b64.replace(/\s+/g, "").replace(/=+$/, "");
}

export const binaryFamily: ConditionFamily = {
  variables: false,
  compile(values) {
    const set = new Set(values.map(canonical));
    return fixedValues((v) => set.has(canonical(v)));
  },
};
