/**
 * Over the changes pane when it covers the conversation (a narrow window): the session asks for a
 * permission the user cannot see, since the request sits in the covered conversation. _Show_ takes
 * the pane away and puts the focus on the request. An alert, so a screen reader hears of the
 * request as it arrives; it does not take the focus from whatever the user is reading.
 */
export function PermissionCallout({ onShow }: { onShow: () => void }) {
  return (
    <div className="permission-callout" role="alert" data-testid="permission-callout">
      <span>Claude is asking for permission</span>
      <button type="button" className="button small" onClick={onShow}>
        Show
      </button>
    </div>
  );
}
