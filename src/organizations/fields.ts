// The Organizations model's member types as zod schemas (patterns, lengths and enums as the model declares them).
import { z } from "zod";
import { int, str } from "../api/validation";

export const accountIdField = str({ max: 12, pattern: "^\\d{12}$" });
export const parentIdField = str({ max: 100, pattern: "^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$" });
export const childIdField = str({ max: 100, pattern: "^(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$" });
export const rootIdField = str({ max: 34, pattern: "^r-[0-9a-z]{4,32}$" });
export const ouIdField = str({ max: 68, pattern: "^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$" });
export const ouNameField = str({ min: 1, max: 128, pattern: "[\\s\\S]*" });
export const policyIdField = str({ max: 130, pattern: "^p-[0-9a-zA-Z_]{8,128}$" });
export const targetIdField = str({
  max: 100,
  pattern: "^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$",
});
export const taggableIdField = str({
  max: 130,
  pattern:
    "^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})|(^rt-[0-9a-zA-Z_]{8,32})$",
});
export const policyTypeField = z.enum([
  "SERVICE_CONTROL_POLICY",
  "RESOURCE_CONTROL_POLICY",
  "TAG_POLICY",
  "BACKUP_POLICY",
  "AISERVICES_OPT_OUT_POLICY",
  "CHATBOT_POLICY",
  "DECLARATIVE_POLICY_EC2",
  "SECURITYHUB_POLICY",
  "INSPECTOR_POLICY",
  "UPGRADE_ROLLOUT_POLICY",
  "BEDROCK_POLICY",
  "S3_POLICY",
  "NETWORK_SECURITY_DIRECTOR_POLICY",
]);
export const policyNameField = str({ min: 1, max: 128, pattern: "[\\s\\S]*" });
export const policyDescriptionField = str({ max: 512, pattern: "[\\s\\S]*" });
export const policyContentField = str({ min: 1, pattern: "[\\s\\S]*" });
export const nextTokenField = str({ max: 100000, pattern: "[\\s\\S]*" });
export const maxResultsField = int({ min: 1, max: 20 });
export const emailField = str({ min: 6, max: 64, pattern: "[^\\s@]+@[^\\s@]+\\.[^\\s@]+" });
export const createAccountNameField = str({ min: 1, max: 50, pattern: "[\\u0020-\\u007E]+" });
export const roleNameField = str({ max: 64, pattern: "[\\w+=,.@-]{1,64}" });
export const createAccountRequestIdField = str({ max: 36, pattern: "^car-[a-z0-9]{8,32}$" });

export const tagField = z.object({
  Key: str({ min: 1, max: 128, pattern: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$" }),
  Value: str({ min: 0, max: 256, pattern: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$" }),
});
export const tagsField = z.array(tagField);
export const tagKeysField = z.array(str({ min: 1, max: 128, pattern: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$" }));

/** NextToken and MaxResults, which every List operation takes. */
export const paging = { NextToken: nextTokenField.optional(), MaxResults: maxResultsField.optional() };
