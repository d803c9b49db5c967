// Every AWS Organizations operation this service implements, for the operation table.
import { accountOperations } from "./accounts";
import { organizationOperations } from "./organization";
import { policyOperations } from "./policies";
import { serviceAccessOperations } from "./service-access";
import { tagOperations } from "./tags";
import { unitOperations } from "./units";

export const organizationsOperations = [
  ...organizationOperations,
  ...accountOperations,
  ...unitOperations,
  ...policyOperations,
  ...tagOperations,
  ...serviceAccessOperations,
];
