using Nexus.Storage;

namespace Nexus.Storage.Contract;

/// <summary>API keys: stored with their hash only, read by id, listed, revoked once.</summary>
public abstract class ApiKeyContract : StoreContract
{
    private IApiKeyStore Keys => Store.ApiKeys ?? throw new InvalidOperationException($"The {Store.Driver} store has no API key store.");

    private static NewApiKey Key(string id, string role = "operator", IReadOnlyList<string>? queues = null, DateTimeOffset? expires = null) => new()
    {
        Id = id,
        Name = "name of " + id,
        SecretHash = new string('a', 63) + id.Length % 10,
        Role = role,
        Queues = queues ?? [],
        ExpiresAt = expires,
        CreatedBy = "tester",
        Now = T0,
    };

    [Fact]
    public async Task Create_StoresEveryField_AndGetReadsItBack()
    {
        var created = await Keys.CreateAsync(Key("k1", "viewer", ["a", "b"], T0.AddDays(30)));

        Assert.Equal("k1", created.Id);
        Assert.Equal(T0, created.CreatedAt);
        var read = await Keys.GetAsync("k1");
        Assert.NotNull(read);
        Assert.Equal("name of k1", read.Name);
        Assert.Equal(created.SecretHash, read.SecretHash);
        Assert.Equal("viewer", read.Role);
        Assert.Equal(["a", "b"], read.Queues);
        Assert.Equal(T0, read.CreatedAt);
        Assert.Equal(T0.AddDays(30), read.ExpiresAt);
        Assert.Null(read.RevokedAt);
        Assert.Equal("tester", read.CreatedBy);
        Assert.Null(await Keys.GetAsync("missing"));
    }

    [Fact]
    public async Task List_ReturnsEveryKeyOldestFirst()
    {
        await Keys.CreateAsync(Key("second") with { Now = T0.AddSeconds(1) });
        await Keys.CreateAsync(Key("first"));

        var all = await Keys.ListAsync();

        Assert.Equal(["first", "second"], all.Select(k => k.Id));
        Assert.All(all, k => Assert.Empty(k.Queues));
    }

    [Fact]
    public async Task Revoke_MarksTheKeyOnce_AndKeepsTheRow()
    {
        await Keys.CreateAsync(Key("k2"));

        Assert.True(await Keys.RevokeAsync(new RevokeApiKeyParams("k2") { Now = T0.AddHours(1) }));
        Assert.False(await Keys.RevokeAsync(new RevokeApiKeyParams("k2") { Now = T0.AddHours(2) }));
        Assert.False(await Keys.RevokeAsync(new RevokeApiKeyParams("nope") { Now = T0 }));

        var read = await Keys.GetAsync("k2");
        Assert.Equal(T0.AddHours(1), read!.RevokedAt);
        Assert.Single(await Keys.ListAsync());
    }

    [Fact]
    public async Task Create_WithAnExistingId_Fails_AndKeepsTheFirstKey()
    {
        await Keys.CreateAsync(Key("dup", "admin"));

        await Assert.ThrowsAnyAsync<Exception>(() => Keys.CreateAsync(Key("dup", "viewer")));

        Assert.Equal("admin", (await Keys.GetAsync("dup"))!.Role);
    }
}
