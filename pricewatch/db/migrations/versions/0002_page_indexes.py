"""Indexes for the dashboard and listing pages (found by bench/web_bench.py)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quote_flags") as batch_op:
        batch_op.drop_index("ix_quote_flags_observation_id")
        batch_op.create_index("ix_quote_flags_observation_run", ["observation_id", "run_id"], unique=False)
    with op.batch_alter_table("cases") as batch_op:
        batch_op.create_index("ix_cases_open_deadline", ["is_open", "deadline_on"], unique=False)
        batch_op.create_index("ix_cases_period_state", ["period", "state"], unique=False)


def downgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_period_state")
        batch_op.drop_index("ix_cases_open_deadline")
    with op.batch_alter_table("quote_flags") as batch_op:
        batch_op.drop_index("ix_quote_flags_observation_run")
        batch_op.create_index("ix_quote_flags_observation_id", ["observation_id"], unique=False)
