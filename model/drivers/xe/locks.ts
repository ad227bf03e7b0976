// xe's own locks.

/** xe's module-wide rwsem serialising device migrations that race (XE-SERIALIZE). */
export const DRIVER_MIGRATE = 'driver_migrate_lock';
