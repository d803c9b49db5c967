// The member types of the IAM service model, as zod schemas shared by every IAM operation.
import { z } from "zod";
import { int, list, str } from "../api/validation.ts";

const NAME = "[\\w+=,.@-]+";

export const userName = str({ min: 1, max: 64, pattern: NAME });
/** Operations on an existing user accept the longer legacy limit the model declares. */
export const existingUserName = str({ min: 1, max: 128, pattern: NAME });
export const groupName = str({ min: 1, max: 128, pattern: NAME });
export const roleName = str({ min: 1, max: 64, pattern: NAME });
export const policyName = str({ min: 1, max: 128, pattern: NAME });
export const path = str({ min: 1, max: 512, pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" });
export const pathPrefix = str({ min: 1, max: 512, pattern: "\\u002F[\\u0021-\\u007F]*" });
export const policyPath = str({ min: 1, max: 512, pattern: "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/" });
export const marker = str({ min: 1, max: 320, pattern: "[\\u0020-\\u00FF]+" });
export const maxItems = int({ min: 1, max: 1000 });
export const policyDocument = str({ min: 1, max: 131072, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
export const roleDescription = str({ max: 1000, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*" });
/**
 * The published model gives policyDescriptionType no pattern, but IAM enforces one: CreatePolicy refuses a newline,
 * tab or other control character with this pattern in its ValidationError (seen in CloudFormation failures, e.g.
 * aws-cloudformation/cfn-lint#345). Without it NUL and BEL were stored and came back as U+FFFD.
 */
export const policyDescription = str({ max: 1000, pattern: "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*" });
export const arn = str({ min: 20, max: 2048 });
export const accessKeyId = str({ min: 16, max: 128, pattern: "[\\w]+" });
export const password = str({ min: 1, max: 128, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
export const policyVersionId = str({ pattern: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" });
export const maxSessionDuration = int({ min: 3600, max: 43200 });

export const tagKey = str({ min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" });
export const tagValue = str({ min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" });
export const tag = z.object({ Key: tagKey, Value: tagValue });
export const tagList = list(tag, { max: 50 });
export const tagKeyList = list(tagKey, { max: 50 });

/** The Marker/MaxItems pair every IAM list operation takes. */
export const paging = { Marker: marker.optional(), MaxItems: maxItems.optional() };
