namespace Reconciler.Actors.Confd;

internal enum GoTemplatePartKind
{
    Text,
    Action,
    Comment,
}
