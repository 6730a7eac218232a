using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

/// <summary>What the state stores of a watch batch under <see cref="KeyLimits"/>, and what a refused put does to it.</summary>
public sealed class StoreAdmissionTests
{
    private static readonly KeyPrefix Apps = new("/apps");
    private static readonly KeyPrefix Routes = new("/routes");

    // names of at most 16 bytes, values of at most 10, at most 40 bytes (names plus values) per prefix
    private static readonly KeyLimits Small = new(16, 10, 40);

    private static (DesiredState State, RefusalTally Refused) Fold(StoreAdmission admission, DesiredState state, KeyPrefix prefix, params KeyEvent[] events)
    {
        var (admitted, refused) = admission.Admit(events, prefix, state);
        return (state.Apply(admitted, 9).State, refused);
    }

    private static StoreAdmission Admission(DesiredState state)
    {
        var admission = new StoreAdmission(Small, [Apps, Routes]);
        admission.Reset(state);
        return admission;
    }

    [Fact]
    public void Puts_within_the_limits_are_stored()
    {
        var admission = Admission(DesiredState.Empty);

        var (state, refused) = Fold(admission, DesiredState.Empty, Apps, KeyEvent.Put("/apps/a", "0123456789", 2));

        Assert.Equal("0123456789", state.Keys["/apps/a"]);
        Assert.Equal(0, refused.Count);
    }

    [Fact]
    public void A_name_over_max_key_bytes_or_a_value_over_max_value_bytes_is_not_stored_and_is_counted_by_reason()
    {
        var admission = Admission(DesiredState.Empty);

        var (state, refused) = Fold(
            admission, DesiredState.Empty, Apps,
            KeyEvent.Put("/apps/a-long-name-x", "v", 2), KeyEvent.Put("/apps/b", "01234567890", 3), KeyEvent.Put("/apps/c", "v", 4));

        Assert.Equal(["/apps/c"], state.Keys.Keys);
        Assert.Equal((1, 1, 0), (refused.CountOf(RefusalReason.KeyBytes), refused.CountOf(RefusalReason.ValueBytes), refused.CountOf(RefusalReason.PrefixBytes)));
        Assert.Equal("its value is 11 bytes, more than max-value-bytes (10)", refused.Named.Single(r => r.ShownKey == "/apps/b").Why);
    }

    [Fact]
    public void Sizes_are_utf8_bytes_as_etcd_counts_them()
    {
        var admission = Admission(DesiredState.Empty);

        var (state, refused) = Fold(admission, DesiredState.Empty, Apps, KeyEvent.Put("/apps/a", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 2)); // 6 chars, 12 bytes

        Assert.Empty(state.Keys);
        Assert.Equal(12, refused.Named.Single().Bytes);
    }

    [Fact]
    public void A_put_over_a_limit_of_a_key_already_stored_removes_it()
    {
        var before = DesiredState.From([KeyValuePair.Create("/apps/a", "small")], 1);
        var admission = Admission(before);

        var (state, refused) = Fold(admission, before, Apps, KeyEvent.Put("/apps/a", "far too large", 2));

        Assert.Empty(state.Keys); // the registry no longer has "small": the state must not keep it
        Assert.Equal(RefusalReason.ValueBytes, refused.Named.Single().Reason);
    }

    [Fact]
    public void Past_max_prefix_bytes_new_keys_are_refused_the_stored_ones_stay_and_other_prefixes_have_their_own_budget()
    {
        // each key costs 7 (name) + 10 (value) = 17 bytes: two fit in 40, a third does not
        var admission = Admission(DesiredState.Empty);
        var (state, refused) = Fold(
            admission, DesiredState.Empty, Apps,
            KeyEvent.Put("/apps/a", "0123456789", 2), KeyEvent.Put("/apps/b", "0123456789", 3), KeyEvent.Put("/apps/c", "0123456789", 4));

        Assert.Equal(["/apps/a", "/apps/b"], state.Keys.Keys);
        Assert.Equal(("/apps/c", RefusalReason.PrefixBytes, 51L), (refused.Named.Single().ShownKey, refused.Named.Single().Reason, refused.Named.Single().Bytes));

        (state, refused) = Fold(admission, state, Routes, KeyEvent.Put("/routes/x", "0123456789", 5));
        Assert.Equal(0, refused.Count);
        Assert.Contains("/routes/x", state.Keys.Keys);
    }

    [Fact]
    public void A_delete_or_a_smaller_value_frees_room_in_the_prefix()
    {
        var admission = Admission(DesiredState.Empty);
        var (state, _) = Fold(admission, DesiredState.Empty, Apps, KeyEvent.Put("/apps/a", "0123456789", 2), KeyEvent.Put("/apps/b", "0123456789", 3));

        (state, var refused) = Fold(admission, state, Apps, KeyEvent.Delete("/apps/a", 4), KeyEvent.Put("/apps/c", "0123456789", 5));
        Assert.Equal(0, refused.Count);

        (state, refused) = Fold(admission, state, Apps, KeyEvent.Put("/apps/b", "1", 6), KeyEvent.Put("/apps/d", "012345", 7));
        Assert.Equal(0, refused.Count);
        Assert.Equal(["/apps/b", "/apps/c", "/apps/d"], state.Keys.Keys);
    }

    [Fact]
    public void A_refusal_the_source_made_removes_a_stored_key_and_a_name_no_state_holds_is_only_counted()
    {
        var before = DesiredState.From([KeyValuePair.Create("/apps/a", "small")], 1);
        var admission = Admission(before);
        var tooLarge = new KeyRefusal("/apps/a", RefusalReason.ValueBytes, 2_000_000, 10);
        var tooLong = new KeyRefusal("/apps/aaaa…(5000 bytes)", RefusalReason.KeyBytes, 5000, 16);

        var (admitted, refused) = admission.Admit([KeyEvent.Refused("/apps/a", tooLarge, 2), KeyEvent.Refused(tooLong.ShownKey, tooLong, 3)], Apps, before);

        Assert.Equal([KeyEvent.Refused("/apps/a", tooLarge, 2)], admitted);
        Assert.Empty(before.Apply(admitted, 3).State.Keys);
        Assert.Equal(2, refused.Count);
    }

    [Fact]
    public void A_full_read_recounts_each_prefix()
    {
        var full = DesiredState.From([KeyValuePair.Create("/apps/a", "0123456789"), KeyValuePair.Create("/apps/b", "0123456789")], 1);
        var admission = Admission(full);

        var (_, refused) = Fold(admission, full, Apps, KeyEvent.Put("/apps/c", "1", 2));

        Assert.Equal(RefusalReason.PrefixBytes, refused.Named.Single().Reason);
    }
}
