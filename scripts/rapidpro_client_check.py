#!/usr/bin/env python3
"""Checks that the platform's official Python client, rapidpro-python, works against a sandbox.

Usage: rapidpro_client_check.py BASE_URL TOKEN [FLAVOR]   (e.g. http://127.0.0.1:8000 dev-token weni)
FLAVOR is the sandbox's --flavor (textit, the default, rapidpro9 or weni): the texts checked follow it.
Run the sandbox with a small page size (e.g. --page-size 3) so listings span several pages.

Creates, updates and deletes contacts by URN and by UUID, creates fields and groups, lists them
through every page, and asserts each answer. Prints what it checked; exits non-zero on failure.
"""
import sys
import uuid

from temba_client.exceptions import TembaBadRequestError, TembaNoSuchObjectError
from temba_client.v2 import TembaClient

checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise AssertionError(f"FAILED: {what}")
    checks += 1
    print(f"  ok  {what}")


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    base_url, token = sys.argv[1], sys.argv[2]
    flavor = sys.argv[3] if len(sys.argv) == 4 else "textit"
    # A full http:// URL is used as is (the client only adds https:// to a bare host name).
    client = TembaClient(base_url, token)
    run = uuid.uuid4().hex[:8]  # names unique to this run, so reruns against one sandbox pass
    print(f"rapidpro-python against {base_url} ({flavor}, run {run})")

    if flavor == "weni":
        return check_weni_fields_refused(client, run) or contacts_and_actions(client, run, flavor, None, None)
    # Fields: the current spelling create_field(name, type); the key is derived from the name.
    nick = client.create_field(f"Nick {run}", "text")
    check(nick.key == f"nick_{run}" and nick.name == f"Nick {run}" and nick.type == "text",
          f"create_field text -> key {nick.key}")
    age = client.create_field(f"Age {run}", "number")
    check(age.type == "number", "create_field number")
    try:
        client.create_field(f"nick {run}", "text")
        check(False, "duplicate field label refused")
    except TembaBadRequestError as error:
        check("This field must be unique." in str(error.errors), "duplicate field label refused with 'This field must be unique.'")
    renamed = client.update_field(age, f"Age years {run}", "number")
    check(renamed.key == age.key and renamed.name == f"Age years {run}", "update_field keeps the key")
    return contacts_and_actions(client, run, flavor, nick, age)


def check_weni_fields_refused(client, run):
    """Weni's fields.json requires label/value_type; the client's create_field sends name/type."""
    try:
        client.create_field(f"Nick {run}", "text")
        check(False, "weni refuses the current field spelling")
    except TembaBadRequestError as error:
        check(error.errors.get("label") == ["This field is required."], "weni requires label/value_type")
    return None


def contacts_and_actions(client, run, flavor, nick, age):
    """Groups, contacts (with fields when given), contact_actions and deletes."""

    # Groups: create, list by name, rename.
    devs = client.create_group(f"Devs {run}")
    check(devs.uuid and devs.name == f"Devs {run}" and devs.count == 0, "create_group")
    try:
        client.create_group(f"DEVS {run}")
        check(False, "duplicate group name refused")
    except TembaBadRequestError as error:
        check(error.errors.get("name") == ["This field must be unique."], "group names unique case-insensitively")
    found = client.get_groups(name=f"devs {run}").all()
    check([g.uuid for g in found] == [devs.uuid], "get_groups(name=) finds it ignoring case")
    testers = client.create_group(f"Testers {run}")
    testers = client.update_group(testers, f"QA {run}")
    check(testers.name == f"QA {run}", "update_group renames")

    # Contacts: create with URNs, groups and fields.
    ben = client.create_contact(
        name="Ben Haggerty", language="eng",
        urns=[f"tel:+25078{int(run, 16) % 10**7:07d}", f"ext:ben-{run}"],
        groups=[devs], fields={nick.key: "Macklemore", age.key: 41} if nick else {},
    )
    check(ben.uuid and ben.name == "Ben Haggerty" and ben.language == "eng", "create_contact")
    check(f"ext:ben-{run}" in ben.urns, "create_contact keeps the ext: URN")
    check([g.uuid for g in ben.groups] == [devs.uuid], "create_contact puts the contact in the group")
    if nick:
        check(ben.fields[nick.key] == "Macklemore" and ben.fields[age.key] == "41", "create_contact sets typed fields")
    check(ben.created_on is not None and ben.modified_on is not None, "timestamps parse as datetimes")

    # Update by URN (only the given members change), then by UUID.
    by_urn = client.update_contact(f"ext:ben-{run}", language="por")
    check(by_urn.uuid == ben.uuid and by_urn.language == "por" and by_urn.name == "Ben Haggerty",
          "update_contact by URN changes only the given members")
    by_uuid = client.update_contact(ben.uuid, name="Ben H", groups=[devs, testers])
    check(by_uuid.name == "Ben H" and len(by_uuid.groups) == 2, "update_contact by UUID")
    if nick:
        cleared = client.update_contact(ben, fields={nick.key: None})
        check(cleared.fields[nick.key] is None, "a null field value clears it")

    # Update by an unknown URN creates the contact (201 on the wire).
    made = client.update_contact(f"ext:new-{run}", name="Created by URN")
    check(made.uuid != ben.uuid and made.urns == [f"ext:new-{run}"], "update_contact by unknown URN creates it")

    try:
        client.create_contact(name="Thief", urns=[f"ext:ben-{run}"])
        check(False, "a URN of another contact is refused")
    except TembaBadRequestError as error:
        taken = "URN is in use by another contact." if flavor == "textit" else "URN belongs to another contact"
        check(taken in str(error.errors), f"a URN of another contact is refused ({taken})")

    # Listing follows `next` through every page.
    for i in range(5):
        client.create_contact(name=f"Page {i}", urns=[f"ext:page-{i}-{run}"])
    contacts = client.get_contacts().all()
    mine = {c.uuid for c in contacts if any(u.endswith(run) for u in c.urns)}
    check(len(mine) == 7, f"get_contacts().all() lists every contact of this run across pages ({len(contacts)} in all)")
    pages = list(client.get_contacts().iterfetches())
    check(len(pages) >= 2 and sum(len(p) for p in pages) == len(contacts),
          f"listing followed `next` through {len(pages)} pages")
    check([c.uuid for c in client.get_contacts(urn=f"ext:ben-{run}").all()] == [ben.uuid], "get_contacts(urn=)")
    check([c.uuid for c in client.get_contacts(group=devs).all()] == [ben.uuid], "get_contacts(group=)")
    if nick:
        fields = client.get_fields().all()
        check({nick.key, age.key} <= {f.key for f in fields}, f"get_fields lists the new fields ({len(fields)} in all)")
    groups = client.get_groups().all()
    check({devs.uuid, testers.uuid} <= {g.uuid for g in groups}, f"get_groups lists the new groups ({len(groups)} in all)")

    # contact_actions.json through the client's bulk_* calls.
    pages_urns = [f"ext:page-{i}-{run}" for i in range(3)]
    client.bulk_add_contacts(pages_urns, group=devs)
    check(len(client.get_contacts(group=devs).all()) == 4, "bulk_add_contacts adds to one group")
    client.bulk_remove_contacts(pages_urns[:1], group=devs)
    check(len(client.get_contacts(group=devs).all()) == 3, "bulk_remove_contacts removes from it")
    client.bulk_block_contacts(pages_urns[:1])
    blocked = client.get_contacts(urn=pages_urns[0]).all()[0]
    check(blocked.status == "blocked", "bulk_block_contacts blocks")
    try:
        client.bulk_add_contacts(pages_urns[:1], group=devs)
        check(False, "adding a blocked contact is refused")
    except TembaBadRequestError as error:
        check(f"Non-active contacts cannot be added to groups: {blocked.uuid}" in str(error.errors),
              "adding a blocked contact is refused")
    client.bulk_unblock_contacts(pages_urns[:1])
    check(client.get_contacts(urn=pages_urns[0]).all()[0].status == "active", "bulk_unblock_contacts")
    try:
        client.bulk_interrupt_contacts([pages_urns[1], f"ext:ghost-{run}"])
        check(False, "an unknown contact fails the call")
    except TembaBadRequestError as error:
        check(error.errors.get("contacts") == [f"No such object: ext:ghost-{run}"], "an unknown contact fails the call")
    client.bulk_archive_contact_messages(pages_urns[1:2])
    check(True, "bulk_archive_contact_messages")
    client.bulk_delete_contacts(pages_urns[2:])
    check(client.get_contacts(urn=pages_urns[2]).all() == [], "bulk_delete_contacts deletes")
    deleted = "Inactive contacts can't be modified." if flavor == "weni" else "Deleted contacts can't be modified."

    # Delete by URN and by UUID; a second delete is 404.
    client.delete_contact(f"ext:new-{run}")
    check(client.get_contacts(urn=f"ext:new-{run}").all() == [], "delete_contact by URN")
    client.delete_contact(ben)
    check(client.get_contacts(uuid=ben.uuid).all() == [], "delete_contact by UUID")
    try:
        client.delete_contact(ben.uuid)
        check(False, "deleting a deleted contact is 404")
    except TembaNoSuchObjectError:
        check(True, "deleting a deleted contact is 404")
    try:
        client.update_contact(ben.uuid, name="Back")
        check(False, "a deleted contact cannot be modified")
    except TembaBadRequestError as error:
        check(error.errors.get("non_field_errors") == [deleted], f"a deleted contact cannot be modified ({deleted})")
    client.delete_group(testers)
    check(client.get_groups(uuid=testers.uuid).all() == [], "delete_group")

    print(f"rapidpro-python check passed: {checks} checks")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # report any failure, including the client's own exceptions
        print(f"rapidpro-python check failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
