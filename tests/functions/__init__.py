"""Provider tests: functions/aws against moto, in-process and offline."""
