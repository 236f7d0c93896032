DROP TABLE commitment_updates;
DROP TABLE commitments;
DROP TABLE amendments;
DROP TABLE agreement_legal_basis;
DROP TABLE agreement_scopes;
DROP TABLE agreement_parties;
DROP TABLE agreements;
