"""Persistence: one repository interface (`Store`), an in-memory and a DynamoDB adapter."""
