// STS members with the constraints of the service model (sts.service-2.json).
import { z } from "zod";
import { int, list, str } from "../api/validation";
import { tagKey, tagValue } from "../iam/fields";

/** The model's character class for ARNs and other free text. */
const TEXT = "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]+";

export const roleArn = str({ min: 20, max: 2048, pattern: TEXT });
export const roleSessionName = str({ min: 2, max: 64, pattern: "[\\w+=,.@-]*" });
export const federatedName = str({ min: 2, max: 32, pattern: "[\\w+=,.@-]*" });
/** Session policies: AWS limits their plaintext to 2,048 characters (GetFederationToken's model says so too). */
export const sessionPolicy = str({ min: 1, max: 2048, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
/** Up to 10 managed session policies, as AWS documents for AssumeRole and GetFederationToken. */
export const policyArns = list(z.object({ arn: str({ min: 20, max: 2048, pattern: TEXT }) }), { max: 10 });
export const sessionTags = list(z.object({ Key: tagKey, Value: tagValue }), { max: 50 });
export const transitiveTagKeys = list(tagKey, { max: 50 });
export const externalId = str({ min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" });
export const serialNumber = str({ min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" });
export const tokenCode = str({ min: 6, max: 6, pattern: "[\\d]*" });
export const sourceIdentity = str({ min: 2, max: 64, pattern: "[\\w+=,.@-]*" });
export const assumeRoleDuration = int({ min: 900, max: 43200 });
export const tokenDuration = int({ min: 900, max: 129600 });
export const accessKeyIdMember = str({ min: 16, max: 128, pattern: "[\\w]*" });
