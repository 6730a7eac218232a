using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Pipeline;

public sealed class RefusedKeyWarningsTests
{
    private static readonly KeyRefusal Big = new("/apps/big", RefusalReason.ValueBytes, 2_000_000, 1_048_576);

    private static RefusalTally Tally(params KeyRefusal[] refusals)
    {
        var tally = new RefusalTally();
        foreach (var refusal in refusals)
        {
            tally.Add(refusal);
        }

        return tally;
    }

    [Fact]
    public void A_refused_key_is_named_once_however_often_it_is_put_and_again_after_it_was_stored()
    {
        using var logs = new CapturingLoggerFactory();
        var logger = logs.CreateLogger("t");
        var warnings = new RefusedKeyWarnings();

        warnings.Write(logger, Tally(Big));
        warnings.Write(logger, Tally(Big));
        Assert.Equal(["Key /apps/big is not stored: its value is 2000000 bytes, more than max-value-bytes (1048576); no template sees it"], logs.Lines.Select(l => l.Message));

        warnings.Forget([KeyEvent.Put("/apps/big", "small again", 5)]);
        warnings.Write(logger, Tally(Big));
        Assert.Equal(2, logs.Lines.Count);
    }

    [Fact]
    public void A_flood_of_refused_keys_is_named_up_to_a_bound_then_said_once()
    {
        using var logs = new CapturingLoggerFactory();
        var logger = logs.CreateLogger("t");
        var warnings = new RefusedKeyWarnings();

        for (var i = 0; i < RefusedKeyWarnings.MostRemembered + 500; i++)
        {
            warnings.Write(logger, Tally(Big with { ShownKey = $"/apps/{i}" }));
        }

        Assert.Equal(RefusedKeyWarnings.MostRemembered + 1, logs.Lines.Count);
        Assert.Contains("counted in reconciler_refused_keys_total", logs.Lines.Last().Message);
    }
}
