"""Load a data set into a store, and write the store's state back in the same data-set format."""

from __future__ import annotations

from journeys.model.dataset import DataSet
from journeys.store.repository import Store


def seed(store: Store, dataset: DataSet) -> None:
    """Put every record of the data set; seeding the same data set again changes nothing.

    Interests go first (split views need their roles), accounts before their people and groups.
    """
    for interest in dataset.solutionInterests:
        store.put_solution_interest(interest)
    for account in dataset.accounts:
        store.put_account(account)
    for person in dataset.people:
        store.put_person(person)
    for group in dataset.buyingGroups:
        current = store.get_buying_group(group.account, group.solutionInterest)
        # A seed is authoritative: overwrite whatever version is there.
        store.save_buying_group(group, current[1] if current else None)
    for account_list in dataset.accountLists:
        store.put_account_list(account_list)
    for audience in dataset.audiences:
        store.put_audience(audience)
    # Moments are appended, not keyed: skip the ones already there so a re-seed adds nothing.
    existing = {m.model_dump_json() for m in store.iter_moments()}
    for moment in dataset.timeline:
        if moment.model_dump_json() not in existing:
            store.append_moment(moment)


def export(store: Store, base: DataSet) -> DataSet:
    """The store's current state in the data-set format (records in the order first put).

    Sections the store does not own (attributes, scores, journeys, destinations, marketo) are
    copied from `base`, so `export(seed(ds))` equals `ds` and two runs' states can be diffed.
    """
    # Copies through plain data: pydantic's deep copy walks a large Marketo section ten times slower.
    return DataSet(
        attributes=base.attributes.model_copy(deep=True),
        scores=list(base.scores),
        accounts=list(store.iter_accounts()),
        people=list(store.iter_people()),
        solutionInterests=store.list_solution_interests(),
        buyingGroups=list(store.iter_buying_groups()),
        accountLists=store.list_account_lists(),
        journeys=[j.model_copy(deep=True) for j in base.journeys],
        destinations=[d.model_copy(deep=True) for d in base.destinations],
        audiences=store.list_audiences(),
        timeline=list(store.iter_moments()),
        marketo=type(base.marketo).model_validate(base.marketo.model_dump(by_alias=True)),
    )
