using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus keys create|ls|revoke</c> (admins only).</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "API keys (admin): create, list, revoke");
        keys.Subcommands.Add(CreateKey());
        var list = new Command("ls", "List API keys (never their secrets)");
        list.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Keys.ListAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListKeyResponse, o =>
            {
                var table = Format.Table("id", "name", "role", "queues", "created", "expires", "revoked", "created by");
                foreach (var k in all)
                {
                    table.AddRow(Format.E(k.Id), Format.E(k.Name), Format.E(k.Role), Format.E(k.Queues.Count == 0 ? "all" : Format.List(k.Queues)),
                        Format.Time(k.CreatedAt), Format.Time(k.ExpiresAt), k.RevokedAt is null ? "-" : $"[red]{Format.Time(k.RevokedAt)}[/]", Format.E(k.CreatedBy));
                }
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        keys.Subcommands.Add(list);

        var id = new Argument<string>("id") { Description = "The key's id (the part after nx_, as keys ls shows it)" };
        var revoke = new Command("revoke", "Revoke an API key") { id };
        revoke.Handle(async (parse, cli, ct) =>
        {
            var keyId = parse.GetValue(id)!;
            await cli.Client.Keys.RevokeAsync(keyId, ct);
            cli.Printer.Show(new RevokedReport(keyId, true), CliJson.Default.RevokedReport, o => o.MarkupLine($"Revoked key [bold]{Format.E(keyId)}[/]."));
            return ExitCodes.Success;
        });
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static Command CreateKey()
    {
        var name = new Argument<string>("name") { Description = "A name to recognise the key by, e.g. ci-deploy" };
        var role = new Option<string>("--role", "-r") { Description = "admin, operator, viewer or worker", Required = true };
        role.AcceptOnlyFromAmong("admin", "operator", "viewer", "worker");
        var queues = new Option<string[]>("--queue", "-q") { Description = "Limit the key to this queue (repeat for more)" };
        var expires = new Option<string?>("--expires-at") { Description = "When the key stops working (ISO 8601); default never" };
        var command = new Command("create", "Create an API key; it is printed once and cannot be shown again") { name, role, queues, expires };
        command.Handle(async (parse, cli, ct) =>
        {
            DateTimeOffset? expiresAt = null;
            if (parse.GetValue(expires) is { } text)
            {
                expiresAt = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at : throw new CliUsageException($"--expires-at must be a time such as 2031-01-01T00:00:00Z (was '{text}').");
            }
            var q = parse.GetValue(queues);
            var created = await cli.Client.Keys.CreateAsync(new CreateKeyRequest(parse.GetValue(name)!, parse.GetValue(role)!)
            {
                Queues = q is { Length: > 0 } ? q : null,
                ExpiresAt = expiresAt,
            }, ct);
            cli.Printer.Warn("This key is shown only now: store it somewhere safe. It cannot be shown again.");
            cli.Printer.Show(created, CliJson.Default.CreatedKeyResponse, o =>
            {
                o.MarkupLine($"Created key [bold]{Format.E(created.Info.Id)}[/] ({Format.E(created.Info.Name)}, {Format.E(created.Info.Role)}):");
                // The key alone on its own line, so that scripts and people can copy it whole.
                o.WriteLine(created.Key);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
