from tests.conftest import Cli


def test_add_then_list_json(cli: Cli) -> None:
    cli.ok("member", "add", "Giulia Rossi", "--email", "giulia@example.com")
    result = cli.ok("member", "list", "--format", "json")
    assert '"Giulia Rossi"' in result.stdout
