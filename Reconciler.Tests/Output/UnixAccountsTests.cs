using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

public sealed class UnixAccountsTests
{
    [Theory]
    [InlineData("root", 0u)]
    [InlineData("0", 0u)]
    [InlineData("4242", 4242u)] // numeric ids need not exist, as with chown(1)
    public void Resolves_user_names_and_ids(string text, uint expected)
    {
        Assert.True(UnixAccounts.TryResolveUser(text, out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("root", 0u)]
    [InlineData("0", 0u)]
    public void Resolves_group_names_and_ids(string text, uint expected)
    {
        Assert.True(UnixAccounts.TryResolveGroup(text, out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("no-such-user-reconciler")]
    [InlineData("4294967295")] // -1 means "unchanged" to chown, never a real id
    [InlineData("-1")]
    public void Unknown_names_do_not_resolve(string text)
    {
        Assert.False(UnixAccounts.TryResolveUser(text, out _));
        Assert.False(UnixAccounts.TryResolveGroup(text, out _));
    }
}
