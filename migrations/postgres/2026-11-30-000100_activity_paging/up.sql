-- An organization's activities are paged by id (keyset): with the id in the organizer index, a page of the
-- activities it organizes is a walk from the cursor that stops after the page, however many it has.
DROP INDEX activities_organizer;
CREATE INDEX activities_organizer ON activities (organizer_organization_id, id);
