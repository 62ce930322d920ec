"""Action functions: one thin SQS handler per catalog action (Handler: app.<action id>).

Each is `make_handler(<id>)`: Powertools logging context, then the shared batch pipeline. Nothing
here touches AWS at import time; clients and settings are built on the first invocation.
"""

from journeys.handlers.actions import make_handler

# Account actions
change_account_data_value = make_handler("change_account_data_value")
account_interesting_moment = make_handler("account_interesting_moment")
activate_to_destination = make_handler("activate_to_destination")
add_account_to_journey = make_handler("add_account_to_journey")
add_to_account_list = make_handler("add_to_account_list")
remove_account_from_journey = make_handler("remove_account_from_journey")
remove_from_account_list = make_handler("remove_from_account_list")
send_sales_alert = make_handler("send_sales_alert")
update_buying_group_stage = make_handler("update_buying_group_stage")
update_buying_group_status = make_handler("update_buying_group_status")
# People actions
add_to_external_audience = make_handler("add_to_external_audience")
assign_to_buying_group = make_handler("assign_to_buying_group")
change_data_value = make_handler("change_data_value")
change_score = make_handler("change_score")
interesting_moment = make_handler("interesting_moment")
remove_from_buying_group = make_handler("remove_from_buying_group")
send_email = make_handler("send_email")
send_sms = make_handler("send_sms")
marketo_add_to_list = make_handler("marketo_add_to_list")
marketo_request_campaign = make_handler("marketo_request_campaign")
marketo_change_partition = make_handler("marketo_change_partition")
marketo_remove_from_list = make_handler("marketo_remove_from_list")
