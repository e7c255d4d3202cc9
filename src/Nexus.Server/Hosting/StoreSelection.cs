using Nexus.Hosting;

namespace Nexus.Server.Hosting;

/// <summary>Picks the store from configuration: <c>Nexus:Store</c> = <c>sqlite</c> (default; <c>Nexus:Sqlite</c>, a path or a
/// connection string, default <c>Data Source=./data/nexus.db</c>: <see cref="SqliteSetting"/>) or <c>postgres</c> (<c>Nexus:Postgres</c> connection string,
/// <c>Nexus:PostgresSchema</c>, default <c>nexus</c>; <c>Nexus:PostgresListen</c> = false for polling mode behind a
/// transaction-pooling proxy).</summary>
internal static class StoreSelection
{
    public static NexusBuilder UseConfiguredStore(this NexusBuilder builder, IConfiguration configuration)
    {
        var kind = (configuration["Nexus:Store"] ?? "sqlite").Trim();
        if (kind.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return builder.UseSqlite(SqliteSetting.ConnectionString(configuration["Nexus:Sqlite"]));
        }
        if (kind.Equals("postgres", StringComparison.OrdinalIgnoreCase) || kind.Equals("postgresql", StringComparison.OrdinalIgnoreCase))
        {
            var connection = configuration["Nexus:Postgres"];
            if (string.IsNullOrWhiteSpace(connection))
            {
                throw new InvalidOperationException("Nexus:Store is postgres but Nexus:Postgres (the connection string, e.g. NEXUS_POSTGRES=\"Host=db;Database=nexus;Username=nexus;Password=…\") is not set.");
            }
            var schema = configuration["Nexus:PostgresSchema"];
            var listen = configuration["Nexus:PostgresListen"];
            if (!string.IsNullOrWhiteSpace(listen) && !bool.TryParse(listen, out _))
            {
                throw new InvalidOperationException($"Nexus:PostgresListen must be true or false (was '{listen}').");
            }
            return builder.UsePostgres(connection, o =>
            {
                if (!string.IsNullOrWhiteSpace(schema)) o.Schema = schema;
                if (!string.IsNullOrWhiteSpace(listen)) o.Listen = bool.Parse(listen);
            });
        }
        throw new InvalidOperationException($"Nexus:Store must be 'sqlite' or 'postgres' (was '{kind}').");
    }
}
