-- 0064 The pupils each trip card bundle carries, fixed at download (review of issue 21's finish):
-- a trip's pupils can now be edited, and a phone's offline log must still be recorded for every
-- pupil whose card it carried, even one an edit took off the trip. NULL for bundles downloaded
-- before this column (they are checked against the trip's pupils as before). Never edit this file
-- once landed.
ALTER TABLE trip_card_bundles ADD COLUMN pupil_ids uuid[];
