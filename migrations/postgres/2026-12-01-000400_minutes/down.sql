DROP TABLE activity_minutes_corrections;
DROP TABLE activity_minutes_finals;
DROP TABLE activity_attendees;
