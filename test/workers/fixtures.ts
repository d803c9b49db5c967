// Values the workers tests share: the default account, a trust policy, an identity policy builder.

export const ACCOUNT = "123456789012";
export const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** A role trust policy for EC2, valid wherever a trust policy is needed. */
export const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** A one-statement identity policy allowing `action` on `resource`. */
export const doc = (action = "s3:GetObject", resource = "*") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
