DROP INDEX activities_organizer;
CREATE INDEX activities_organizer ON activities (organizer_organization_id);
